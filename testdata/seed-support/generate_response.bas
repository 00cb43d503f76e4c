REM The seed guide calls GENERATE RESPONSE without defining it; checking or
REM serving testdata/seed needs this file beside it.
FUNCTION GENERATE RESPONSE TEXT$
  RETURN "Echo: " + TEXT$
END FUNCTION
