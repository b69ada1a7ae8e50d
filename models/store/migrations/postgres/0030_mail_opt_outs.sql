-- The optional e-mails (see models.MailTopic) a member has turned off. No
-- row means the e-mail goes.
CREATE TABLE mail_opt_outs (
    user_id    BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    topic      TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (user_id, topic)
);
