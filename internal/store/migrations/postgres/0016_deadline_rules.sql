-- How each deadline counted in working days was set, so that an edit of the
-- work calendar can count it again: the start (a Beijing date, not counted)
-- and the number of working days; 0 working days means the start itself,
-- moved on past days off (a catalogue's "by the 5th"). An empty start is a
-- date a person chose, which no calendar edit moves.
ALTER TABLE obligations ADD COLUMN due_from TEXT NOT NULL DEFAULT '';
ALTER TABLE obligations ADD COLUMN due_workdays INTEGER NOT NULL DEFAULT 0;
ALTER TABLE feedback_cases ADD COLUMN due_from TEXT NOT NULL DEFAULT '';
ALTER TABLE feedback_cases ADD COLUMN due_workdays INTEGER NOT NULL DEFAULT 0;
ALTER TABLE orders ADD COLUMN deadline_from TEXT NOT NULL DEFAULT '';
ALTER TABLE orders ADD COLUMN deadline_workdays INTEGER NOT NULL DEFAULT 0;

-- Obligations that exist already: a scheduled one keeps its due date as its
-- start (it is a working day, so only a new day off on it moves it); an
-- event's obligation counts from the event by its catalogue item. Feedback
-- cases and orders from before cannot tell a counted deadline from a chosen
-- one and keep theirs.
UPDATE obligations SET due_from = due;
UPDATE obligations SET
  due_from = (SELECT e.event_date FROM obligation_events e WHERE e.id = obligations.event_id),
  due_workdays = (SELECT c.due_workdays FROM catalogue_items c WHERE c.school_id = obligations.school_id AND c.code = obligations.catalogue_code)
WHERE event_id IS NOT NULL
  AND EXISTS (SELECT 1 FROM obligation_events e WHERE e.id = obligations.event_id)
  AND (SELECT c.due_workdays FROM catalogue_items c WHERE c.school_id = obligations.school_id AND c.code = obligations.catalogue_code) > 0;
