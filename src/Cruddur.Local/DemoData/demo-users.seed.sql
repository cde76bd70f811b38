-- Inserts the demo users whose handles are free (in any case); the row count is how many were inserted.
-- $1 display names, $2 handles, $3 emails, as parallel arrays.
INSERT INTO public.users (display_name, handle, email)
SELECT display_name, handle, email
FROM unnest($1::text[], $2::text[], $3::text[]) AS demo(display_name, handle, email)
ON CONFLICT ((lower(handle))) DO NOTHING
