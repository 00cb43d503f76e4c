' Variables are local to each SUB/FUNCTION invocation; the handler's are its own.
FUNCTION BUMP(N)
  X = N + 1
  RETURN X
END FUNCTION

ON WEBHOOK POST TO "/t" DO
  X = 100
  PRINT BUMP(1); ","; BUMP(BUMP(5)); ","; X
END ON
