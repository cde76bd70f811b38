-- Creates a user unless the handle is taken (in any case); returns the stored row either way.
WITH inserted AS (
  INSERT INTO public.users (handle, display_name, email, cognito_user_id)
  VALUES ($1, $2, $3, $4)
  ON CONFLICT ((lower(handle))) DO NOTHING
  RETURNING uuid, handle, display_name, email, cognito_user_id, created_at
)
SELECT uuid, handle, display_name, email, cognito_user_id, created_at FROM inserted
UNION ALL
SELECT uuid, handle, display_name, email, cognito_user_id, created_at FROM public.users WHERE lower(handle) = lower($1)
LIMIT 1
