-- The dashboard's recent changes and the changes since a review read the
-- latest audit entries of a few actions of a plan. By action, so that the
-- value saves and other entries in between are never read: with only
-- (plan_id, occurred_at) the dashboard read every save since the last
-- approval, and grew slower with the history.
CREATE INDEX audit_entries_plan_action_idx ON audit_entries (plan_id, action, occurred_at, id);
