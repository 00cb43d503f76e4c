' Regression: a SUB with no parameters called as a bare statement, with or
' without CALL, failed to parse (gCallStmt required arguments).
SUB NOTIFY
  PRINT "n;"
END SUB

SUB PING ME
  PRINT "p;"
END SUB

ON WEBHOOK POST TO "/t" DO
  NOTIFY
  CALL NOTIFY
  PING ME
  CALL PING ME
  IF 1 = 1 THEN NOTIFY : CALL PING ME
  SPAWN NOTIFY
END ON
