-- 001_init.sql -- the catalogue, features, failures, feedback, Spotify metadata, API keys.
-- Applied by `mixq migrate` (and by the daemons at start) under an advisory lock, once.

-- One row per distinct audio content (identified by its 128-bit xxHash).
CREATE TABLE tracks (
    id            bigserial PRIMARY KEY,
    content_hash  bytea NOT NULL UNIQUE CHECK (octet_length(content_hash) = 16),
    uri           text NOT NULL,            -- where the audio was last seen (file:// or http(s)://)
    size_bytes    bigint,
    duration_s    real,
    title         text,
    artist        text,
    album         text,
    album_artist  text,
    year          integer,
    genre         text,
    track_number  integer,
    isrc          text,
    declared_bpm  real,                     -- as tagged, kept beside the analysed tempo
    declared_key  text,
    missing       boolean NOT NULL DEFAULT false,
    added_at      timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX tracks_isrc ON tracks (isrc) WHERE isrc IS NOT NULL;

-- Every path a track's content is found at (the same audio may live under two paths).
CREATE TABLE track_paths (
    path          bytea PRIMARY KEY,        -- the file name's exact bytes
    track_id      bigint NOT NULL REFERENCES tracks (id) ON DELETE CASCADE,
    size_bytes    bigint NOT NULL,
    mtime_ns      bigint NOT NULL,
    missing       boolean NOT NULL DEFAULT false,
    seen_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX track_paths_track ON track_paths (track_id);

-- Features of a track by one analyser version. Scalars are typed columns, vectors arrays;
-- `features` holds the whole JSON object of `mixq analyze` (docs/features.md).
CREATE TABLE track_features (
    track_id            bigint NOT NULL REFERENCES tracks (id) ON DELETE CASCADE,
    analyzer_version    text NOT NULL,
    duration_s          real,
    sample_rate         integer,
    channels            integer,
    format              text,
    tempo_bpm           real,
    tempo_confidence    real,
    onset_rate          real,
    beats               real[],
    key_tonic           smallint,           -- pitch class 0 (C) .. 11 (B)
    key_mode            text,               -- 'major' or 'minor'
    key_name            text,               -- e.g. 'A minor'
    camelot             text,               -- e.g. '8A'
    key_strength        real,
    tuning_hz           real,
    loudness_lufs       real,
    loudness_range_lu   real,
    true_peak_dbtp      real,
    rms_db              real,
    centroid_mean       real,
    centroid_std        real,
    bandwidth_mean      real,
    bandwidth_std       real,
    rolloff_mean        real,
    rolloff_std         real,
    flatness_mean       real,
    flatness_std        real,
    flux_mean           real,
    flux_std            real,
    zcr_mean            real,
    zcr_std             real,
    contrast_mean       real[],
    contrast_std        real[],
    mfcc_mean           real[],
    mfcc_std            real[],
    mel_bands_db        real[],
    chroma              real[],
    danceability        real,
    energy              real,
    embedding           real[],             -- from the first neural model, when present
    genre               text,
    mood                text,
    waveform_min        real[],
    waveform_max        real[],
    features            jsonb NOT NULL,
    analysis_s          real,
    analyzed_at         timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (track_id, analyzer_version)
);
CREATE INDEX track_features_tempo_key ON track_features (tempo_bpm, key_tonic, key_mode);
CREATE INDEX track_features_camelot ON track_features (camelot, tempo_bpm);
CREATE INDEX track_features_energy ON track_features (energy);

-- Tag probabilities from the neural models.
CREATE TABLE track_tags (
    track_id          bigint NOT NULL REFERENCES tracks (id) ON DELETE CASCADE,
    analyzer_version  text NOT NULL,
    model             text NOT NULL,
    tag               text NOT NULL,
    probability       real NOT NULL,
    PRIMARY KEY (track_id, analyzer_version, model, tag)
);
CREATE INDEX track_tags_tag ON track_tags (tag, probability);

-- Jobs that failed for good: permanent errors at once, transient ones after N attempts.
CREATE TABLE analysis_failures (
    job_id            text PRIMARY KEY,
    track_id          bigint REFERENCES tracks (id) ON DELETE CASCADE,
    uri               text,
    analyzer_version  text,
    error_kind        text NOT NULL,        -- 'permanent' or 'dead_letter'
    error_code        text NOT NULL,
    error_message     text,
    attempts          integer NOT NULL,
    failed_at         timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX analysis_failures_track ON analysis_failures (track_id);

-- Listening and feedback events from front ends, each stored once (event_id unique).
CREATE TABLE user_feedback (
    id                bigserial PRIMARY KEY,
    event_id          text NOT NULL UNIQUE,
    user_id           text NOT NULL,        -- the front end's own user id
    current_track_id  bigint REFERENCES tracks (id) ON DELETE SET NULL,
    next_track_id     bigint REFERENCES tracks (id) ON DELETE SET NULL,
    event_type        text NOT NULL CHECK (event_type IN
                          ('play', 'skip', 'like', 'dislike', 'transition_rating')),
    rating            real,
    position_s        real,
    occurred_at       timestamptz NOT NULL,
    received_at       timestamptz NOT NULL DEFAULT now(),
    source            text NOT NULL DEFAULT 'api' -- 'api' or 'spotify_export'
);
CREATE INDEX user_feedback_current ON user_feedback (current_track_id, next_track_id);
CREATE INDEX user_feedback_user ON user_feedback (user_id, occurred_at);

-- Spotify metadata, imported by ingest and linked to local tracks.
CREATE TABLE spotify_tracks (
    spotify_id        text PRIMARY KEY,
    isrc              text,
    title             text,
    artists           text[],
    album             text,
    duration_ms       integer,
    popularity        integer,
    audio_features    jsonb,               -- where the API still returns them
    audio_features_status text,            -- 'ok', 'unavailable' (403), 'absent'
    track_id          bigint REFERENCES tracks (id) ON DELETE SET NULL,
    match_method      text,                -- 'isrc' or 'artist_title_duration'
    imported_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX spotify_tracks_isrc ON spotify_tracks (isrc);
CREATE INDEX spotify_tracks_track ON spotify_tracks (track_id);

CREATE TABLE spotify_playlists (
    playlist_id       text PRIMARY KEY,
    name              text,
    owner             text,
    source            text NOT NULL,       -- 'api' or 'export'
    imported_at       timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE spotify_playlist_tracks (
    playlist_id       text NOT NULL REFERENCES spotify_playlists (playlist_id) ON DELETE CASCADE,
    position          integer NOT NULL,
    spotify_id        text,
    title             text,
    artist            text,
    added_at          timestamptz,
    PRIMARY KEY (playlist_id, position)
);

-- API keys for the recommender: only a hash of each key is stored.
CREATE TABLE api_keys (
    id                bigserial PRIMARY KEY,
    name              text NOT NULL UNIQUE,
    key_hash          bytea NOT NULL UNIQUE,
    rate_per_s        real NOT NULL DEFAULT 50,
    created_at        timestamptz NOT NULL DEFAULT now(),
    revoked_at        timestamptz
);
