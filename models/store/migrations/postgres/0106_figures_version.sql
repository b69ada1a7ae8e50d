-- A version of everything the dashboard reads, so that an instance may
-- keep a page's figures and serve them again while the version is the same:
-- the version is in the database, so a change through any instance is seen
-- by all. It moves in the same transaction as any change that could move a
-- figure: RefreshFigures bumps it as the last statement of each transaction
-- that writes the roll-ups (session_figures, session_stats, the attendee
-- tables, feedback_prefixes); the triggers below bump it for the live
-- tables the dashboard also reads (sessions' titles and properties, the
-- teachers of a session and their names, series' titles, the year-of-study
-- history), and for deletions, whose cascades reach the roll-ups.
--
-- On PostgreSQL the triggers are deferred to the commit, and bump the
-- version once a transaction: the version's row lock is taken last and held
-- only while committing, so it never waits in a circle with the locks a
-- change takes before.
CREATE TABLE figures_version (
    id        INTEGER PRIMARY KEY CHECK (id = 1),
    version   BIGINT NOT NULL,
    bumped_by BIGINT
);
INSERT INTO figures_version (id, version) VALUES (1, 0);
CREATE FUNCTION figures_version_bump() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN UPDATE figures_version SET version = version + 1, bumped_by = txid_current() WHERE id = 1 AND bumped_by IS DISTINCT FROM txid_current(); RETURN NULL; END $$;
CREATE CONSTRAINT TRIGGER figures_version_sessions AFTER UPDATE OF title, topic, format, mode, starts_at, ends_at, series_id, status OR DELETE ON sessions DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION figures_version_bump();
CREATE CONSTRAINT TRIGGER figures_version_users AFTER UPDATE OF name OR DELETE ON users DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION figures_version_bump();
CREATE CONSTRAINT TRIGGER figures_version_series AFTER UPDATE OF title OR DELETE ON series DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION figures_version_bump();
CREATE CONSTRAINT TRIGGER figures_version_year_history AFTER INSERT OR UPDATE OR DELETE ON year_history DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION figures_version_bump();
CREATE CONSTRAINT TRIGGER figures_version_session_teachers AFTER INSERT OR UPDATE OR DELETE ON session_teachers DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION figures_version_bump();
