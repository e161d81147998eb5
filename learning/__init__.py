"""Learning from real conversations: the messages worth reviewing, staff annotations, and
merging them into the project's training data.

    learning.candidates   stored customer messages that went wrong (fallback, low
                          confidence, rephrased, handed off, thumbed down), deduplicated,
                          masked, most useful first
    learning.annotations  the staff's intent + entity spans for them, checked against the
                          domain, kept in .switchboard/annotations.yml
    learning.merge        the annotations into data/nlu_reviewed.yml, validated (put back
                          on an error)
    learning.review       the review step as `cli.py data` and the /review page run it

    AnnotationInvalid (SwitchboardError)   learning.annotations: a bad annotation
    MergeInvalid (ProjectInvalid)          learning.merge: merged data that does not validate
"""
