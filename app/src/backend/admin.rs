use super::{auth, Services};
use crate::api::admin::MIN_PASSWORD_CHARS;
use crate::domain::{Agent, Role};
use crate::error::ApiError;

/// The signed-in agent if they are an admin; 403 otherwise.
pub async fn require_admin(services: &Services) -> Result<Agent, ApiError> {
    let agent = auth::current_agent(services).await?;
    if agent.role != Role::Admin {
        return Err(ApiError::forbidden("Only admins can do that"));
    }
    Ok(agent)
}

/// A password an admin may set: 8 to 200 characters.
pub fn checked_password(password: &str) -> Result<&str, ApiError> {
    let chars = password.chars().count();
    if chars < MIN_PASSWORD_CHARS {
        return Err(ApiError::bad_input(format!(
            "The password needs at least {MIN_PASSWORD_CHARS} characters"
        )));
    }
    if chars > 200 {
        return Err(ApiError::bad_input("The password is too long"));
    }
    Ok(password)
}
