//! Rebuilds the server when the web app in `frontend/dist` changes, so that a release binary always
//! embeds the app that was last built.

fn main() {
    println!("cargo:rerun-if-changed=../../frontend/dist");
}
