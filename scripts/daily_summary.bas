REM A summary posted every morning at 08:00 UTC. For local time write the zone
REM first: ON SCHEDULE "CRON_TZ=America/Sao_Paulo 0 8 * * *".
REM   SUMMARY_STATS_URL  optional: an API whose JSON answer has "tickets_open"
REM                      and "tickets_closed" (GET, so it may redirect).
REM   SUMMARY_POST_URL   optional: where the summary is POSTed as JSON, e.g. a
REM                      Slack, Teams or Google Chat incoming webhook ({"text"}).
REM Without SUMMARY_POST_URL the summary is mailed to SUMMARY_MAIL_TO (or to
REM ops@example.com), which lands in the outbox on the embedded defaults.
REM Try it now with: gbhook run-schedule daily_summary.bas:11

ON SCHEDULE "0 8 * * *" DO
  LET DAY$ = LEFT(NOW, 10)
  LET TEXT$ = "Daily summary for " + DAY$
  LET D = JSON SET("", "date", DAY$)
  LET STATS$ = GET ENV "SUMMARY_STATS_URL"
  IF STATS$ = "" THEN
    LOG "SUMMARY_STATS_URL is unset: the summary has no ticket figures"
  ELSE
    LET S = GET STATS$
    D = JSON SET(D, "tickets.open", GET JSON PATH(S, "tickets_open"))
    D = JSON SET(D, "tickets.closed", GET JSON PATH(S, "tickets_closed"))
    TEXT$ = TEXT$ + ": " + GET JSON PATH(D, "tickets.open") + " open, " + GET JSON PATH(D, "tickets.closed") + " closed"
  END IF
  D = JSON SET(D, "text", TEXT$)

  LET POST$ = GET ENV "SUMMARY_POST_URL"
  IF POST$ <> "" THEN
    LET R = POST POST$, D
    LOG "daily summary posted"
  ELSE
    LET TO$ = GET ENV "SUMMARY_MAIL_TO"
    IF TO$ = "" THEN TO$ = "ops@example.com"
    SEND MAIL TO TO$ WITH SUBJECT TEXT$ AND BODY JSON ENCODE(D)
  END IF
END ON
