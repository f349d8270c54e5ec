-- Revert pgqueue:schema/ownership from pg: pgq's objects go back to the user reverting.

BEGIN;

DROP EVENT TRIGGER pgq_adopt_objects;
DROP FUNCTION pgq._adopt_objects();
REASSIGN OWNED BY pgq_owner TO CURRENT_USER;
REVOKE USAGE ON SCHEMA pgq FROM pgq_owner;

COMMIT;
