-- A school's answer to a supervision order may carry files (the minutes of
-- a meeting, a photo of the notice board): each belongs to the trail entry
-- of the answer that brought it, and is read by the bureau and the school
-- only, like the order.
CREATE TABLE order_attachments (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  school_id BIGINT NOT NULL REFERENCES schools(id),
  order_id BIGINT NOT NULL REFERENCES orders(id),
  step_id BIGINT NOT NULL REFERENCES order_steps(id),
  filename TEXT NOT NULL,
  content_type TEXT NOT NULL,
  size BIGINT NOT NULL,
  sha256 TEXT NOT NULL,
  storage_key TEXT NOT NULL,
  created_at BIGINT NOT NULL
);
CREATE INDEX order_attachments_order ON order_attachments (school_id, order_id, step_id);
CREATE INDEX order_attachments_storage_key ON order_attachments (storage_key);
