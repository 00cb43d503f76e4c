' MAXSTEPS: 5000
' A script that loops forever is stopped by the step budget: 503 with the position.
ON WEBHOOK POST TO "/t" DO
  PRINT "start"
  WHILE 1 = 1 : WEND
END ON
