ON WEBHOOK GET TO "/select/:kind" DO
  K$ = GET QUERY VALUE "kind"
  SELECT CASE K$
    CASE "a", "b"
      PRINT "first"
    CASE "c"
      PRINT "second"
    CASE ELSE
      PRINT "other"
  END SELECT
END ON
