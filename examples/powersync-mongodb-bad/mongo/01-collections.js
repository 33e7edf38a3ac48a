// docker-entrypoint-initdb.d: application collections
const app = db.getSiblingDB("todos_app");

app.createCollection("lists", {
  changeStreamPreAndPostImages: { enabled: true },
});

// todos was added later, without pre- and post-images
app.createCollection("todos", {
  validator: { $jsonSchema: { required: ["list_id", "description"] } },
});
