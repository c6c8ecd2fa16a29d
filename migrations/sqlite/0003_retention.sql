-- Retention: expired sessions and refused sign-ins are purged (README, Security). The audit
-- log stays append-only for everything else: only refused sign-ins may ever be deleted.
DROP TRIGGER audit_log_no_delete;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
WHEN OLD.action <> 'sign_in_refused'
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE INDEX audit_log_refused ON audit_log (id) WHERE action = 'sign_in_refused';
CREATE INDEX sessions_expiry ON sessions (expires_at);
