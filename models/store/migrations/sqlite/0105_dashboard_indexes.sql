-- The dashboard reads a period of session_figures for the breakdowns by a
-- property of the session, its totals and its feedback: with every column
-- they read in the index, each is one range of the index, without a
-- look-up of each session's row. The members' years at the end of a
-- period likewise come from the index of year_history alone.
CREATE INDEX session_figures_period ON session_figures (ends_at, week, topic, format, booked, attended, walk_ins, responses);
CREATE INDEX year_history_user_year ON year_history (user_id, valid_from, year_of_study);
DROP INDEX year_history_user;
ANALYZE session_figures;
ANALYZE year_history;
