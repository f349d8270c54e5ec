-- Raw-SQL baselines for `make bench`: tables identical to pgq.queue and
-- pgq.archive, so a ratio measures the broker's functions, nothing else.
-- LIKE ... INCLUDING ALL copies columns, defaults, identity, CHECK
-- constraints and indexes; it does not copy storage parameters, so the
-- autovacuum settings are copied from pg_class below.

CREATE SCHEMA bench;
CREATE TABLE bench.raw_queue (LIKE pgq.queue INCLUDING ALL);
CREATE TABLE bench.raw_archive (LIKE pgq.archive INCLUDING ALL);

DO $$
DECLARE
    pair record;
BEGIN
    FOR pair IN VALUES ('pgq.queue'::regclass, 'bench.raw_queue'::regclass),
                       ('pgq.archive'::regclass, 'bench.raw_archive'::regclass)
    LOOP
        IF (SELECT reloptions FROM pg_class WHERE oid = pair.column1) IS NOT NULL THEN
            EXECUTE format('ALTER TABLE %s SET (%s)', pair.column2,
                           (SELECT array_to_string(reloptions, ', ') FROM pg_class WHERE oid = pair.column1));
        END IF;
    END LOOP;
END
$$;
