//! The customer's entry point: mounts the chat page alone (`/chat`, `/chat/embed`), so the
//! customer's browser never loads the dashboard's code.

fn main() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(app::ui::ChatApp);
}
