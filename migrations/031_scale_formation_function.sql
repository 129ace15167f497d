-- A scale in ONE parameterised call (one round trip, no values written into SQL text): locks the
-- owner's row, reads their usage and the app's formation and release AFTER the lock (each statement
-- of a volatile function takes a new snapshot, so it sees every write committed before the lock was
-- granted), decides, and only when nothing refuses writes the quantities and the audit event. Called
-- as a statement of its own, it is its own transaction: the row is held for no round trip.
--
-- The processes quota is decided here and nowhere else (deploy/formation-service.ts calls it and words
-- the refusal from what it answers): processes after the scale = usage + the sum of the changes;
-- refused when that grows and passes the owner's limit (their own, else p_default_processes).
CREATE OR REPLACE FUNCTION paas_scale_formation(
  p_owner uuid, p_app uuid, p_types text[], p_quantities int[], p_default_processes int,
  p_actor uuid, p_app_name text, p_ip text, p_details jsonb
) RETURNS jsonb
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  v_email text;
  v_overrides jsonb;
  v_apps bigint;
  v_processes bigint;
  v_builds bigint;
  v_formation jsonb;
  v_release jsonb;
  v_limit int;
  v_delta bigint;
  v_refused text;
  v_after jsonb;
BEGIN
  IF coalesce(array_length(p_types, 1), 0) <> coalesce(array_length(p_quantities, 1), 0) THEN
    RAISE EXCEPTION 'types and quantities differ in length' USING ERRCODE = '22023';
  END IF;
  SELECT u.email, jsonb_build_object('apps', q.apps, 'processes', q.processes, 'memory_mb', q.memory_mb, 'builds', q.builds)
    INTO v_email, v_overrides
    FROM users u LEFT JOIN quotas q ON q.user_id = u.id WHERE u.id = p_owner FOR UPDATE OF u;
  IF NOT FOUND THEN
    RETURN jsonb_build_object('refused', 'no_owner');
  END IF;
  SELECT count(*) INTO v_apps FROM apps WHERE owner_id = p_owner;
  SELECT (SELECT coalesce(sum(f.quantity), 0) FROM formation f JOIN apps a ON a.id = f.app_id WHERE a.owner_id = p_owner)
       + (SELECT count(*) FROM one_off_runs o JOIN apps a ON a.id = o.app_id WHERE a.owner_id = p_owner)
    INTO v_processes;
  SELECT count(*) INTO v_builds FROM builds b JOIN apps a ON a.id = b.app_id
   WHERE a.owner_id = p_owner AND b.status IN ('pending', 'building');
  SELECT coalesce(jsonb_object_agg(type, quantity), '{}'::jsonb) INTO v_formation FROM formation WHERE app_id = p_app;
  SELECT jsonb_build_object('version', r.version, 'process_types', r.process_types) INTO v_release FROM releases r
   WHERE r.app_id = p_app AND r.status = 'succeeded' ORDER BY r.version DESC LIMIT 1;
  v_limit := coalesce((v_overrides ->> 'processes')::int, p_default_processes);
  SELECT coalesce(sum(u.q - coalesce((v_formation ->> u.t)::bigint, 0)), 0) INTO v_delta
    FROM unnest(p_types, p_quantities) AS u(t, q);

  IF v_release IS NULL THEN
    v_refused := 'no_release';
  ELSIF EXISTS (SELECT 1 FROM unnest(p_types) AS t WHERE v_release -> 'process_types' -> t IS NULL) THEN
    v_refused := 'unknown_type';
  ELSIF v_delta > 0 AND v_processes + v_delta > v_limit THEN
    v_refused := 'quota';
  END IF;

  IF v_refused IS NULL THEN
    INSERT INTO formation (app_id, type, quantity) SELECT p_app, t, q FROM unnest(p_types, p_quantities) AS u(t, q)
      ON CONFLICT (app_id, type) DO UPDATE SET quantity = EXCLUDED.quantity;
    INSERT INTO audit_events (actor_id, actor_email, action, app, target_user, ip, details)
      VALUES (p_actor, (SELECT email FROM users WHERE id = p_actor), 'formation.update', p_app_name, NULL, p_ip, p_details);
    SELECT coalesce(jsonb_agg(jsonb_build_object('type', type, 'quantity', quantity, 'memory_mb', memory_mb, 'cpus', cpus::float8) ORDER BY type), '[]'::jsonb)
      INTO v_after FROM formation WHERE app_id = p_app;
  END IF;

  RETURN jsonb_build_object(
    'refused', v_refused,
    'email', v_email,
    'overrides', v_overrides,
    'usage', jsonb_build_object('apps', v_apps, 'processes', v_processes, 'builds', v_builds),
    'formation', v_formation,
    'release', v_release,
    'limit', v_limit,
    'processes_after', v_processes + v_delta,
    'after', coalesce(v_after, '[]'::jsonb));
END
$$;
