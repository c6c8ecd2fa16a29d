-- Retention: expired sessions and refused sign-ins are purged (README, Security). The audit
-- log stays append-only for everything else: only refused sign-ins may ever be deleted.
DROP TRIGGER audit_log_no_change ON audit_log;
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
FOR EACH ROW WHEN (OLD.action <> 'sign_in_refused') EXECUTE FUNCTION audit_log_append_only();
CREATE INDEX audit_log_refused ON audit_log (id) WHERE action = 'sign_in_refused';
CREATE INDEX sessions_expiry ON sessions (expires_at);
