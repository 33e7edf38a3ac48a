-- PowerSync replication role: replication + read-only, bypasses RLS so the snapshot is complete.
-- The password is set by the deploy pipeline: psql -v ps_pw="$PS_ROLE_PASSWORD" -f ...
create role powersync_role with replication bypassrls login password :'ps_pw';

grant select on public.lists, public.todos to powersync_role;

-- Exactly the synced tables; publishes insert, update, delete and truncate (the default).
create publication powersync for table public.lists, public.todos;
