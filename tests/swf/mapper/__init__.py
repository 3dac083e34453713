"""simpleflow.swf.mapper, the original object layer over SWF, checked against its documentation."""
