-- Sets one user's Cognito id by handle (the pool's preferred_username); touches no other column or row.
-- Returns the handle when a row matched.
UPDATE public.users
SET cognito_user_id = $2
WHERE handle = $1
RETURNING handle
