' The seed's chain of lookups over a status-only payload (no messages) yields "".
ON WEBHOOK POST TO "/t" DO
  LET OBJ = PARSE JSON GET REQUEST BODY
  LET MESSAGE = GET JSON PATH OBJ, "entry[0].changes[0].value.messages[0]"
  LET FROM$ = GET JSON PATH MESSAGE, "from"
  LET BODY$ = GET JSON PATH MESSAGE, "text.body"
  PRINT "message=["; MESSAGE; "] from=["; FROM$; "] body=["; BODY$; "] status="
  PRINT GET JSON PATH OBJ, "entry[0].changes[0].value.statuses[0].status"
END ON
