' ON SCHEDULE: the expression is checked at its line; request and response builtins are check errors inside.
ON SCHEDULE "*/5 * * *" DO
  LOG "four fields"
END ON
ON SCHEDULE "@daily" DO
  X$ = GET QUERY VALUE "a"
  SET RESPONSE STATUS TO 200
  LOG X$
END ON
ON SCHEDULE "CRON_TZ=Nowhere/Land @hourly" DO
END ON
