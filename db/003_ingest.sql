-- 003_ingest.sql -- what mixq-ingest keeps beside 001's catalogue. Additive only.

-- Analysis jobs ingest has submitted and the broker acknowledged (so durable), one per
-- track and analyser version: a rescan does not submit them again. `--reanalyze`
-- resubmits regardless.
CREATE TABLE ingest_submissions (
    track_id          bigint NOT NULL REFERENCES tracks (id) ON DELETE CASCADE,
    analyzer_version  text NOT NULL,
    job_id            text NOT NULL,
    priority          text NOT NULL,           -- 'interactive' or 'bulk'
    submitted_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (track_id, analyzer_version)
);

-- The audio format as recognised from the content ('wav', 'flac', 'mp3', ...).
ALTER TABLE tracks ADD COLUMN format text;

-- Spotify: saved in the user's library (YourLibrary.json), the album, the artists' ids.
ALTER TABLE spotify_tracks ADD COLUMN in_library boolean NOT NULL DEFAULT false;
ALTER TABLE spotify_tracks ADD COLUMN album_id text;
ALTER TABLE spotify_tracks ADD COLUMN updated_at timestamptz NOT NULL DEFAULT now();

CREATE TABLE spotify_albums (
    album_id          text PRIMARY KEY,
    name              text,
    artists           text[],
    release_date      text,
    total_tracks      integer,
    imported_at       timestamptz NOT NULL DEFAULT now()
);

-- Listening events from an export name a Spotify track (extended history) or only an
-- artist and title (basic history); linking fills current_track_id from them later.
ALTER TABLE user_feedback ADD COLUMN spotify_id text;
ALTER TABLE user_feedback ADD COLUMN item_artist text;
ALTER TABLE user_feedback ADD COLUMN item_title text;
CREATE INDEX user_feedback_unlinked ON user_feedback (spotify_id)
    WHERE current_track_id IS NULL AND source = 'spotify_export';
