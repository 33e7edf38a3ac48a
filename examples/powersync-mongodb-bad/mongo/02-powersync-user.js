// docker-entrypoint-initdb.d: the PowerSync replication user
use admin

db.createRole({
  role: "powersyncRepl",
  privileges: [
    // changeStream only on the collections we sync
    { resource: { db: "todos_app", collection: "lists" }, actions: ["find", "changeStream"] },
    { resource: { db: "todos_app", collection: "todos" }, actions: ["find", "changeStream"] },
    {
      resource: { db: "todos_app", collection: "_powersync_checkpoints" },
      actions: ["createCollection", "find", "changeStream", "insert", "update", "remove"],
    },
  ],
  roles: [],
});

db.createUser({
  user: "powersync",
  pwd: "change-me",
  roles: [
    { role: "powersyncRepl", db: "admin" },
    { role: "dbAdmin", db: "todos_app" },  // "just in case"
  ],
});
