' The default depth limit is 1000 calls: exactly 1000 nested calls run.
FUNCTION DEPTH(N)
  IF N = 1000 THEN RETURN N
  RETURN DEPTH(N + 1)
END FUNCTION

ON WEBHOOK POST TO "/t" DO
  PRINT DEPTH(1)
END ON
