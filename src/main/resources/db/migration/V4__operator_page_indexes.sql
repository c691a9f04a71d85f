-- The operator page lists recent failed jobs and recent alerts; without these indexes each refresh
-- would read the whole job and alert tables.
CREATE INDEX smarttag_job_status ON smarttag_job (status, processed_at);
CREATE INDEX smarttag_alert_created ON smarttag_alert (created_at);
