//! What only admins may do, and the password rule for the passwords they set.

use super::{auth, Services};
use crate::domain::{Agent, Role};
use crate::error::ApiError;

/// The shortest password an admin may set.
pub const MIN_PASSWORD_CHARS: usize = 8;
/// The longest password an admin may set.
const MAX_PASSWORD_CHARS: usize = 200;

/// The signed-in agent if they are an admin; 403 otherwise.
pub async fn require_admin(services: &Services) -> Result<Agent, ApiError> {
    let agent = auth::current_agent(services).await?;
    if agent.role != Role::Admin {
        return Err(ApiError::forbidden("Only admins can do that"));
    }
    Ok(agent)
}

/// A password an admin may set: [`MIN_PASSWORD_CHARS`] to 200 characters.
pub fn checked_password(password: &str) -> Result<&str, ApiError> {
    let chars = password.chars().count();
    if chars < MIN_PASSWORD_CHARS {
        return Err(ApiError::bad_input(format!(
            "The password needs at least {MIN_PASSWORD_CHARS} characters"
        )));
    }
    if chars > MAX_PASSWORD_CHARS {
        return Err(ApiError::bad_input("The password is too long"));
    }
    Ok(password)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_admin_sets_passwords_of_eight_to_two_hundred_characters() {
        assert!(checked_password("1234567").is_err());
        assert_eq!(checked_password("12345678"), Ok("12345678"));
        assert!(checked_password(&"x".repeat(200)).is_ok());
        assert!(checked_password(&"x".repeat(201)).is_err());
        // Characters, not bytes.
        assert!(checked_password("ééééééé").is_err());
    }
}
