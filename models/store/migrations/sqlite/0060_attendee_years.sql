-- Who came in which months of each calendar year, one row per student and
-- year: bit 0 of months is January, bit 11 December. Counting the different
-- students of whole months then reads one row per student and year instead
-- of looking every member up in attendee_months. Worked out from
-- attendee_months whenever one of its months is.
CREATE TABLE attendee_years (
    year    INTEGER NOT NULL,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    months  INTEGER NOT NULL,
    PRIMARY KEY (year, user_id)
) WITHOUT ROWID;
-- The sum of the different powers of two is the bitwise OR of the months.
INSERT INTO attendee_years (year, user_id, months)
SELECT CAST(SUBSTR(month, 1, 4) AS INTEGER), user_id, SUM(DISTINCT 1 << (CAST(SUBSTR(month, 6, 2) AS INTEGER) - 1))
FROM attendee_months GROUP BY CAST(SUBSTR(month, 1, 4) AS INTEGER), user_id;
