//! Profile pictures live in the database: any instance serves a picture uploaded through
//! another (no shared directory), and the files of an older version move in at startup.

mod common;

use app::protocol::User;
use common::{process::ServerProcess, Backend, TestApp, TestDb};
use server::db::users::NewUser;

fn png(width: u32, height: u32) -> Vec<u8> {
    let mut out = std::io::Cursor::new(Vec::new());
    image::DynamicImage::ImageRgb8(image::RgbImage::new(width, height))
        .write_to(&mut out, image::ImageFormat::Png)
        .unwrap();
    out.into_inner()
}

async fn upload(app: &TestApp, token: &str, body: Vec<u8>) -> String {
    let response = app
        .client
        .put(app.url("/api/users/me/picture/"))
        .bearer_auth(token)
        .header("content-type", "image/png")
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let user: User = response.json().await.unwrap();
    user.profile_picture.expect("picture url")
}

async fn fetch(app: &TestApp, url: &str) -> (u16, Vec<u8>) {
    let response = app.get(url).await;
    let status = response.status().as_u16();
    (status, response.bytes().await.unwrap().to_vec())
}

/// Two instances on one database, each with its own `DATA_DIR`.
async fn every_instance_serves_every_picture(first: TestApp) {
    let second = first.sibling().await;
    let (_, token) = first.user("alice").await;
    let url = upload(&first, &token, png(40, 20)).await;
    let (status, from_first) = fetch(&first, &url).await;
    assert_eq!(status, 200);
    let (status, from_second) = fetch(&second, &url).await;
    assert_eq!(status, 200, "the other instance serves it");
    assert_eq!(from_first, from_second);
    let response = second.get(&url).await;
    assert_eq!(response.headers()["content-type"], "image/png");
    assert!(response.headers()["cache-control"]
        .to_str()
        .unwrap()
        .contains("immutable"));

    // Replaced through the second: the old one is gone from both, the new one on both.
    let replaced = upload(&second, &token, png(8, 8)).await;
    assert_ne!(replaced, url);
    for app in [&first, &second] {
        assert_eq!(fetch(app, &url).await.0, 404);
        assert_eq!(fetch(app, &replaced).await.0, 200);
    }
    let response = first
        .client
        .delete(first.url("/api/users/me/picture/"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(fetch(&second, &replaced).await.0, 404);
    assert_eq!(first.count("pictures").await, 0);
}

/// A picture file of an older version (named by `users.profile_picture`, kept in
/// `DATA_DIR/media/profile_pictures/`) is in the database once the server has started, and
/// its file is gone.
async fn picture_files_move_into_the_database_at_startup(backend: Backend) {
    let database = TestDb::new(backend).await;
    let db = database.connect().await;
    let user = db
        .insert_user(NewUser {
            username: "olduser",
            email: "olduser@example.com",
            password_hash: "x",
            now: 0,
        })
        .await
        .unwrap();
    let name = format!("{user}-0123456789abcdef0123456789abcdef.png");
    sqlx::query("UPDATE users SET profile_picture = ? WHERE id = ?")
        .bind(&name)
        .bind(user.0)
        .execute(db.pool())
        .await
        .unwrap();
    let data_dir = tempfile::tempdir().unwrap();
    let media = data_dir.path().join("media").join("profile_pictures");
    std::fs::create_dir_all(&media).unwrap();
    let content = png(12, 12);
    std::fs::write(media.join(&name), &content).unwrap();

    let server = ServerProcess::start(data_dir.path(), &database.url, "server.log", &[]).await;
    let response = reqwest::get(server.url(&format!("/media/profile_pictures/{name}")))
        .await
        .unwrap();
    assert_eq!(response.status(), 200, "{}", server.log_text());
    assert_eq!(response.bytes().await.unwrap().to_vec(), content);
    assert!(
        !media.join(&name).exists(),
        "the file stays after the import"
    );
    assert_eq!(db.picture(&name).await.unwrap(), Some(content));
    db.close().await;
}

backend_tests! {
    every_instance => every_instance_serves_every_picture;
}

mod startup_import {
    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sqlite() {
        picture_files_move_into_the_database_at_startup(Backend::Sqlite).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn mariadb() {
        picture_files_move_into_the_database_at_startup(Backend::MariaDb).await;
    }
}
