-- PowerSync replication role and publication (from the quick-start, trimmed).
create role powersync_role with replication login password 'ps-local-dev-2024';

grant select on public.lists, public.todos to powersync_role;

create publication powersync for table public.lists;

-- Bucket storage lives on this server too; its role needs to create the powersync schema.
create role ps_storage with login password :'storage_pw';
