-- The committee dashboard adds up, for each session of a period, the
-- ratings of the answers it may show, in the order they arrived: this index
-- holds them, so the feedback table itself is not read.
CREATE INDEX feedback_session_ratings ON feedback (session_id, id, overall, teaching, confidence_before, confidence_after);
