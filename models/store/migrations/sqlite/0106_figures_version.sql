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
CREATE TABLE figures_version (
    id      INTEGER PRIMARY KEY CHECK (id = 1),
    version INTEGER NOT NULL
);
INSERT INTO figures_version (id, version) VALUES (1, 0);
CREATE TRIGGER figures_version_sessions_u AFTER UPDATE OF title, topic, format, mode, starts_at, ends_at, series_id, status ON sessions BEGIN UPDATE figures_version SET version = version + 1; END;
CREATE TRIGGER figures_version_sessions_d AFTER DELETE ON sessions BEGIN UPDATE figures_version SET version = version + 1; END;
CREATE TRIGGER figures_version_users_u AFTER UPDATE OF name ON users BEGIN UPDATE figures_version SET version = version + 1; END;
CREATE TRIGGER figures_version_users_d AFTER DELETE ON users BEGIN UPDATE figures_version SET version = version + 1; END;
CREATE TRIGGER figures_version_series_u AFTER UPDATE OF title ON series BEGIN UPDATE figures_version SET version = version + 1; END;
CREATE TRIGGER figures_version_series_d AFTER DELETE ON series BEGIN UPDATE figures_version SET version = version + 1; END;
CREATE TRIGGER figures_version_year_history_i AFTER INSERT ON year_history BEGIN UPDATE figures_version SET version = version + 1; END;
CREATE TRIGGER figures_version_year_history_u AFTER UPDATE ON year_history BEGIN UPDATE figures_version SET version = version + 1; END;
CREATE TRIGGER figures_version_year_history_d AFTER DELETE ON year_history BEGIN UPDATE figures_version SET version = version + 1; END;
CREATE TRIGGER figures_version_session_teachers_i AFTER INSERT ON session_teachers BEGIN UPDATE figures_version SET version = version + 1; END;
CREATE TRIGGER figures_version_session_teachers_u AFTER UPDATE ON session_teachers BEGIN UPDATE figures_version SET version = version + 1; END;
CREATE TRIGGER figures_version_session_teachers_d AFTER DELETE ON session_teachers BEGIN UPDATE figures_version SET version = version + 1; END;
