-- 002_recommender.sql -- notifications that keep mixq-recommender's in-memory index
-- current without full reloads. Additive only: functions and triggers.
--
--   mixq_feedback  ids of user_feedback rows inserted, or whose tracks were filled in later
--                  (comma-separated, at most 400 per notification)
--   mixq_features  ids of tracks whose title, artist, album or `missing` changed, or that
--                  were deleted (the broker sends the ids of new feature rows itself)
--   mixq_api_keys  api_keys changed (no payload): cached keys are checked again
--
-- Notifications are sent when the transaction commits, so a listener never reads a row
-- before it is visible.

-- Sends ids on channel, 400 to a notification (payloads are limited to 8000 bytes).
CREATE FUNCTION mixq_notify_ids(channel text, ids bigint[]) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    i integer := 1;
    n integer := coalesce(array_length(ids, 1), 0);
BEGIN
    WHILE i <= n LOOP
        PERFORM pg_notify(channel, array_to_string(ids[i:i + 399], ','));
        i := i + 400;
    END LOOP;
END $$;

CREATE FUNCTION mixq_feedback_inserted() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM mixq_notify_ids('mixq_feedback', ARRAY(SELECT id FROM new_rows ORDER BY id));
    RETURN NULL;
END $$;

CREATE TRIGGER user_feedback_notify_insert AFTER INSERT ON user_feedback
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION mixq_feedback_inserted();

CREATE FUNCTION mixq_feedback_linked() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM mixq_notify_ids('mixq_feedback', ARRAY(
        SELECT n.id FROM new_rows n JOIN old_rows o USING (id)
        WHERE (n.current_track_id, n.next_track_id)
              IS DISTINCT FROM (o.current_track_id, o.next_track_id)
        ORDER BY n.id));
    RETURN NULL;
END $$;

CREATE TRIGGER user_feedback_notify_update AFTER UPDATE ON user_feedback
    REFERENCING NEW TABLE AS new_rows OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION mixq_feedback_linked();

CREATE FUNCTION mixq_tracks_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM mixq_notify_ids('mixq_features', ARRAY(
        SELECT n.id FROM new_rows n JOIN old_rows o USING (id)
        WHERE (n.title, n.artist, n.album, n.missing)
              IS DISTINCT FROM (o.title, o.artist, o.album, o.missing)
        ORDER BY n.id));
    RETURN NULL;
END $$;

CREATE TRIGGER tracks_notify_update AFTER UPDATE ON tracks
    REFERENCING NEW TABLE AS new_rows OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION mixq_tracks_changed();

CREATE FUNCTION mixq_tracks_deleted() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM mixq_notify_ids('mixq_features', ARRAY(SELECT id FROM old_rows ORDER BY id));
    RETURN NULL;
END $$;

CREATE TRIGGER tracks_notify_delete AFTER DELETE ON tracks
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION mixq_tracks_deleted();

CREATE FUNCTION mixq_api_keys_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('mixq_api_keys', '');
    RETURN NULL;
END $$;

CREATE TRIGGER api_keys_notify AFTER INSERT OR UPDATE OR DELETE ON api_keys
    FOR EACH STATEMENT EXECUTE FUNCTION mixq_api_keys_changed();
