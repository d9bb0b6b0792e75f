//! CI runs what the README tells a newcomer to type: the command in the `sh` block under
//! "## Run the tests" is the command `.ci/run` ends with.

use std::path::PathBuf;

fn repository_file(path: &str) -> String {
    let file = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join(path);
    std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display()))
}

/// The lines of the first `sh` block under `## Run the tests`.
fn readme_test_command(readme: &str) -> Vec<String> {
    let section = readme
        .split("\n## ")
        .find(|s| s.starts_with("Run the tests"))
        .expect("a \"## Run the tests\" section in README.md");
    let block = section
        .split("```sh\n")
        .nth(1)
        .and_then(|rest| rest.split("\n```").next())
        .expect("an sh block under \"## Run the tests\"");
    block.lines().map(str::to_string).collect()
}

/// The commands of a shell script: its lines without comments and blank lines.
fn commands(script: &str) -> Vec<String> {
    script
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(str::to_string)
        .collect()
}

#[test]
fn the_ci_runs_the_readmes_test_command() {
    let command = readme_test_command(&repository_file("README.md"));
    assert_eq!(command.len(), 1, "one command to type: {command:?}");
    let ci = commands(&repository_file(".ci/run"));
    assert_eq!(
        ci.last(),
        command.first(),
        ".ci/run must end with the README's test command"
    );
}

#[test]
fn the_readme_block_and_script_commands_are_read_as_written() {
    let readme = "# P\n\n## Run it\n\n```sh\ncargo run\n```\n\n## Run the tests\n\nText.\n\n```sh\nbash tests/run\n```\n\n## Next\n";
    assert_eq!(readme_test_command(readme), ["bash tests/run"]);
    assert_eq!(
        commands("#!/bin/sh\n# note\nset -e\n\n  tests/run  \n"),
        ["set -e", "tests/run"]
    );
}

/// Every picture and local link the README points at is in the repository (the quick tour's
/// screenshots among them), so the page a newcomer reads first never shows a broken image.
#[test]
fn the_readmes_pictures_are_in_the_repository() {
    let readme = repository_file("README.md");
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let pictures: Vec<&str> = readme
        .split("](")
        .skip(1)
        .filter_map(|rest| rest.split(')').next())
        .filter(|target| target.starts_with("docs/"))
        .collect();
    assert!(
        pictures.iter().any(|p| p.ends_with(".png")),
        "the quick tour's screenshots: {pictures:?}"
    );
    for picture in pictures {
        assert!(
            root.join(picture).exists(),
            "README.md points at {picture}, which is missing"
        );
    }
}
