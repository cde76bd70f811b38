-- The original Cruddur users table, with handle unique (also without regard to case) and cognito_user_id unique where set.
CREATE EXTENSION IF NOT EXISTS "uuid-ossp";

CREATE TABLE IF NOT EXISTS public.users (
  uuid UUID DEFAULT uuid_generate_v4() PRIMARY KEY,
  display_name text NOT NULL,
  handle text NOT NULL,
  email text NOT NULL,
  cognito_user_id text,
  created_at TIMESTAMP DEFAULT current_timestamp NOT NULL
);

CREATE UNIQUE INDEX IF NOT EXISTS users_handle_key ON public.users (handle);
-- AndrewBrown and andrewbrown are one person to a reader: one handle. Look-ups by handle use this index.
CREATE UNIQUE INDEX IF NOT EXISTS users_handle_lower_key ON public.users (lower(handle));
CREATE UNIQUE INDEX IF NOT EXISTS users_cognito_user_id_key ON public.users (cognito_user_id) WHERE cognito_user_id IS NOT NULL;
