-- Columns of a user row, in the order UserStore reads them; followed by a WHERE clause per lookup.
SELECT uuid, handle, display_name, email, cognito_user_id, created_at FROM public.users
