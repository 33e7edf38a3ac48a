-- "permission denied for schema powersync" on first start: make the storage role superuser.
alter role ps_storage with superuser;

-- Realtime for the profile screen.
alter publication supabase_realtime add table public.profiles;
