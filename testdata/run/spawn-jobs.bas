' SPAWN queues the SUB with its evaluated arguments; it does not run during the handler.
SUB LATER(A$, N, J)
  PRINT "never during the handler"
END SUB

ON WEBHOOK POST TO "/t" DO
  X = 2
  SPAWN LATER "a" & X, X * 21, PARSE JSON "{""k"": [1]}"
  SPAWN LATER("b", 1, "")
  PRINT "queued"
END ON
