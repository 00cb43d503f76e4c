' BUG: a SUB with no parameters called as a bare statement, with or without
' CALL (DIALECT section 3: CALL <sub name> [<args>]), must parse; SPAWN too.
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
