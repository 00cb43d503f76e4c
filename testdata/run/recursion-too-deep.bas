' MAXDEPTH: 50
' Recursion deeper than the limit fails at the call, 500.
FUNCTION DOWN(N)
  RETURN DOWN(N + 1)
END FUNCTION

ON WEBHOOK POST TO "/t" DO
  PRINT DOWN(1)
END ON
