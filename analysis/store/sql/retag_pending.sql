-- The published comments of _rp_marked whose run is one of ?: the ones to tag again.
CREATE OR REPLACE TEMP TABLE _rp_pending AS
SELECT comment_pk FROM _rp_marked WHERE published AND list_contains(?, run_id)
