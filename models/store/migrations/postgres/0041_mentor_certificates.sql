-- A certificate may also record mentoring in a scheme (kind 'mentoring').

ALTER TABLE certificates DROP CONSTRAINT certificates_kind_check;
ALTER TABLE certificates ADD CONSTRAINT certificates_kind_check CHECK (kind IN ('attendance', 'teaching', 'mentoring'));
