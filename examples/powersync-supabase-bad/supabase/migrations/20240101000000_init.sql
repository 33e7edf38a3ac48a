-- App schema: lists and todos, protected by row-level security for the API.
create table public.lists (
  id uuid primary key default gen_random_uuid(),
  created_at timestamptz not null default now(),
  name text not null,
  owner_id uuid not null references auth.users (id)
);

create table public.todos (
  id uuid primary key default gen_random_uuid(),
  created_at timestamptz not null default now(),
  description text not null,
  completed boolean not null default false,
  list_id uuid not null references public.lists (id) on delete cascade
);

create table public.profiles (
  id uuid primary key references auth.users (id),
  full_name text,
  phone text
);

alter table public.lists enable row level security;
alter table public.todos enable row level security;
alter table public.profiles enable row level security;

create policy "owner can manage lists" on public.lists
  for all to authenticated using (owner_id = auth.uid());
create policy "owner can manage todos" on public.todos
  for all to authenticated
  using (exists (select 1 from public.lists l where l.id = list_id and l.owner_id = auth.uid()));
