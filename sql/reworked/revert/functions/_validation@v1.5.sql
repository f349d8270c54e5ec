-- Revert pgqueue:functions/_validation from pg: back to the helpers of @v1.4, replaced in place

BEGIN;

-- The one definition of a valid channel, shared by the table's CHECK
-- constraint and the API. It must start with a letter or digit so that "."
-- and ".." can never be a channel in a URL path such as /queue/{channel}.
CREATE OR REPLACE FUNCTION pgq._valid_channel(channel text)
RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN channel ~ '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$';

CREATE OR REPLACE FUNCTION pgq._check_channel(channel text)
RETURNS void
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
AS $$
BEGIN
    IF channel IS NULL THEN
        RAISE EXCEPTION 'channel must not be null' USING ERRCODE = 'null_value_not_allowed';
    END IF;
    IF NOT pgq._valid_channel(channel) THEN
        RAISE EXCEPTION 'channel must be 1-64 characters of A-Z a-z 0-9 . _ -, starting with a letter or digit'
            USING ERRCODE = 'invalid_parameter_value',
                  DETAIL = format('got %s characters: %s', length(channel), left(channel, 80));
    END IF;
END
$$;

CREATE OR REPLACE FUNCTION pgq._check_message(message jsonb, name text DEFAULT 'message')
RETURNS void
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
AS $$
BEGIN
    IF message IS NULL THEN
        RAISE EXCEPTION '% must not be null', name USING ERRCODE = 'null_value_not_allowed';
    END IF;
    IF jsonb_typeof(message) <> 'object' THEN
        RAISE EXCEPTION '% must be a JSON object, not %', name, jsonb_typeof(message)
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
END
$$;

-- For integer parameters such as take and skip: NULL and out-of-range
-- values get the parameter's name in the message.
CREATE OR REPLACE FUNCTION pgq._check_range(name text, value bigint, lowest bigint, highest bigint)
RETURNS void
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
AS $$
BEGIN
    IF value IS NULL THEN
        RAISE EXCEPTION '% must not be null', name USING ERRCODE = 'null_value_not_allowed';
    END IF;
    IF value < lowest OR value > highest THEN
        RAISE EXCEPTION '% must be between % and %, got %', name, lowest, highest, value
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
END
$$;

DROP FUNCTION pgq._check_length(text, text, bigint, bigint);
DROP FUNCTION pgq._check_not_null(text, anyelement);

COMMIT;
