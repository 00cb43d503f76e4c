' An empty body gets no sniffed Content-Type; a status alone is fine.
ON WEBHOOK POST TO "/t" DO
  SET RESPONSE STATUS TO 204
END ON
