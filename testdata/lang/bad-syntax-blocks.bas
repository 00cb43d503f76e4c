' Each top-level block with a syntax error is reported: the parser starts
' again at the next ON, SUB or FUNCTION.
ON WEBHOOK POST TO "/a" DO
  X = (1 + 2
  PRINT "after the error, same block"
END ON

SUB FINE(A$)
  PRINT A$
END SUB

FUNCTION BROKEN(N)
  RETURN N *
END FUNCTION

ON WEBHOOK GET TO "/b" DO
  FINE("x")
END ON

SUB ALSO BROKEN
  IF 1 THEN PRINT 1 ELSE
END SUB
PRINT "stray"
