' The default depth limit is 1000 calls: call 1001 fails, at the call.
FUNCTION DEPTH(N)
  IF N = 1001 THEN RETURN N
  RETURN DEPTH(N + 1)
END FUNCTION

ON WEBHOOK POST TO "/t" DO
  PRINT DEPTH(1)
END ON
